raise ValueError("no mean today")
