"""Thin views: parse the request, call one service or selector, render a page or fragment.

Split by subject: customers, catalogue, assignments, audit (page and exports), reports,
auth and errors; `decorators` says who may see a page, `responses` renders it (or its
htmx fragment).
"""
