"""Reference implementations the tests compare the fast production code against.

Each is the plain, obviously-right form of something the package computes a
faster way; none is imported by `services/`.
"""
