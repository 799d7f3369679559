"""A local Slack for trying pulsedesk without a workspace: `python -m bot sandbox`.

The sandbox is the Slack side of the contract, played to the unmodified bot: it serves the Web
API methods the bot calls (at SLACK_API_URL) and response URLs, and sends the bot signed slash
commands, interactions and events over HTTP, as Slack does. A page in the browser shows the
workspace and lets one person play every role. The test suite's fake Slack is built on the same
workspace (tests/fake_slack.py), so what the tests prove is what the sandbox shows.
"""
