"""The annotation page: annotators label review-queue tweets; agreement gates their labels."""
