"""Open Badges 3.0 in the tool: the issuer (profile, keys, revocation list), the public
verification page, and the learner's own badge pages (reachable only through their private link)."""
