"""The reviewers' web app and the portal upload API."""
