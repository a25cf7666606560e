"""The inbox: conversations routed by the response plan, answered within SLA.

clock.py counts business time; routing.py picks the rule, the assignee and the SLA; actions
write. Replies go out through publishing's exactly-once delivery."""
