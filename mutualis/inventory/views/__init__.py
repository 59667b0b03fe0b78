"""Views of the inventory, split by resource."""
