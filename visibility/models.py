"""AI answer visibility: does the AI answer mention and cite the site? (issue 13)"""
