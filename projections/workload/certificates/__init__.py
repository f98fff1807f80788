"""The certificates' views (证明事项): the street's list lines, and each request as it stands (the 证明开具登记)."""
