"""The workload context's views, one subpackage per part (handlers over queries over tables in each)."""
