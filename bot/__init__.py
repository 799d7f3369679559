"""pulsedesk: internal requests and satisfaction pulses in Slack."""
