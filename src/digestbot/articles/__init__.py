"""Article files: reading, front matter and sections (pure), and the rules for each field."""
