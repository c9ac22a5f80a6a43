"""The ratings reads (好差评). Other apps call only what is exported here."""
