"""The residents context's domain, one module per aggregate (household, resident, phone_claim, signin_code) and
the checks of a resident's particulars (checks)."""
