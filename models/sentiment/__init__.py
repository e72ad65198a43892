"""Financial-tweet sentiment: a bag-of-words one-vs-rest logistic regression, its explanations and label issues."""
