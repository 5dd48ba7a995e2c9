"""The hostile-input corpus runs in ``make test``; ``make hostile`` runs it alone.

Its time and memory budgets are generous (ten times what the fixed code needs, far under
what each defect it guards took), so a shared, noisy CI machine passes them; see
README.md for what each attack gets.
"""
