"""The deliberation's commands (load, mutate, save; never a projection): a resident's proposals and co-signs
(proposals), a matter's way through 四议两公开 (matters), and the sittings and votes that decide its stages
(meetings)."""
