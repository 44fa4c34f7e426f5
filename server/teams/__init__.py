"""Teams, their policy (the LAW.md numbers, notice, compensation, load limits) and memberships."""
