def similar_elements(test_tup1, test_tup2):
  return None
