"""Bulk uploads: many records of one resource in one request, or as a background job."""
