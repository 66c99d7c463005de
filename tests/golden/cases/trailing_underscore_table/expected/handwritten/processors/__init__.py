# Scaffolded by gen from spec/model.yaml. This file is yours: gen never overwrites it.
"""Handwritten processing logic of shop: one module per processor in spec/model.yaml."""
