"""Qt front end of Reviewer Workstation. Imports the core; the core never imports this package."""
