# Sourced by scripts/serve and scripts/test: make .venv and install the project when pyproject.toml changed.
ensure_venv() {
  local extras="$1" stamp py
  stamp=".venv/.installed${extras:+-$extras}"
  if [ ! -x .venv/bin/python ]; then
    py=$(command -v python3.11 || command -v python3)
    "$py" -m venv .venv
  fi
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install -q --upgrade pip >/dev/null
    .venv/bin/python -m pip install -q -e ".${extras:+[$extras]}"
    touch "$stamp"
  fi
}
