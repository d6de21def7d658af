"""Station settings for administrators: retention and the duress passphrase."""
