"""Every SMTP reply the listeners give, named, with its enhanced status code (STYLE rule 11).

One module, shared with the tests (as aiosmtpd's ``testing/statuscodes.py`` is): a reply
never carries exception text, a transient failure is always a 4xx and a permanent one 5xx.
"""

from __future__ import annotations

# DATA and RCPT (DESIGN §1.1)
REPLY_QUEUED = "250 2.0.0 Ok: queued as {item_id}"  # only after the spool's fsync
REPLY_SENDER_OK = "250 2.1.0 Sender OK"
REPLY_RECIPIENT_OK = "250 2.1.5 Recipient OK"
REPLY_NO_SUCH_USER = "550 5.1.1 No such recipient here"
REPLY_TOO_BIG = "552 5.3.4 Message too big for this gateway"
REPLY_TRY_LATER = "451 4.3.0 Temporary failure, please try again later"

# Limits per client address ([limits])
REPLY_TOO_MANY_CONNECTIONS = "421 4.7.0 Too many connections from your address, try later"
REPLY_RATE_LIMITED = "451 4.7.1 Too many messages from your address, try again later"
REPLY_TOO_MANY_RECIPIENTS = "452 4.5.3 Too many recipients"

# AUTH (R-CHANNEL)
REPLY_AUTH_OK = "235 2.7.0 Authentication successful"
REPLY_AUTH_FAILED = "535 5.7.8 Authentication credentials invalid"
REPLY_AUTH_REQUIRED = "530 5.7.0 Authentication required"
