"""The command centre's console (指挥中心): server-rendered pages under /console/.

A sub-application of the main app, so its middleware (sessions, CSRF, security headers) and
templates apply to its routes only. Everything it shows is read through a Scope (the user's
area); every change goes through handlers.ops and storage.statemachine.
"""
