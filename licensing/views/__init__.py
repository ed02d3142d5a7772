"""Thin views: parse the request, call one service or selector, render a page or fragment.

Split by subject: customers, catalogue, assignments, auth, errors.
"""
