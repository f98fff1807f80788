"""The residents context's domain, one module per aggregate (household, resident, phone_claim, signin_code, and
access: who looked at a resident's personal data) and the checks of a resident's particulars (checks)."""
