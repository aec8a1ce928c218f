"""Sign-in beyond e-mail and password: OpenID Connect and the staff's second factor (issue #18 point 4)."""
