"""Tables of the read model and the message types that workflows, activities and the API share."""
