"""Tests of the pure digest modules: schedule and composer."""
