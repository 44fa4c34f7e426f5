"""A team's procedures: written in Markdown, versioned, tagged with the alerts they serve."""
