"""The audit trail's event types for push rules (the strings are history: never renamed)."""

PUSH_BATCH = "outreach.push.batch"
PUSH_CONFIRM = "outreach.push.confirm"
PUSH_EVENT = "outreach.push.event"
PUSH_OPT_OUT = "outreach.push.opt_out"
PUSH_SEND = "outreach.push.send"
PUSH_SWEEP = "outreach.push.sweep"  # a day's sweep of a rule, once it is done
RULE_SAVE = "outreach.rule.save"
RULE_SWITCH_OFF = "outreach.rule.switch_off"
RULE_SWITCH_ON = "outreach.rule.switch_on"
RULE_SWITCH_ON_REQUEST = "outreach.rule.switch_on_request"
RULES_SYNC = "outreach.rules.sync"
