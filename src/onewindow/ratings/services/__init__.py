"""The ratings front door for writes (好差评). Other apps call only what is exported here."""
