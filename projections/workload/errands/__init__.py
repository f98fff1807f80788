"""The errands' views (全程代办): each errand as it stands, and its steps for the resident's timeline and the 一表通."""
