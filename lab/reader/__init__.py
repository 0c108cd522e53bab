"""Training-side code for the reader (issue 27): torch from the same weights as service.reader."""
