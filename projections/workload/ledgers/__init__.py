"""The ledgers (台账) the committee is inspected on, read from the other contexts' views, a period at a time."""
