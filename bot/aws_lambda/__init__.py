"""The assistant on AWS Lambda."""
