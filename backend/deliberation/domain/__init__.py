"""The deliberation's aggregates and pure rules, one module per aggregate: a resident's proposal and its co-signs
(proposal), and the procedure of 四议两公开 — a matter on its way through the six stages (matter), a sitting of a
body on it (meeting), a member's vote (vote) — with the stage, body and pass rules they share (rules)."""
