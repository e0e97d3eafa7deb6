"""Deployment on hospital PCs: login service registration, diagnostics, browser policies and CRX packing."""
