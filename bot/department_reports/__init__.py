"""The weekly department report: each department's channel gets last week against the week
before, its oldest open requests and a chart of its last 12 weeks; admins get the ICSQ
heatmap. App Home shows the latest charts from there."""
