"""How far apart rounding alone can put Odoo's tax and BigCommerce's on a line.

Pure Python (no Odoo import): the pytest suite checks it against both
rounding models (``tests/test_tax_rounding.py``).

In the "Odoo taxes" and "then the fiscal position" tax modes a line's taxes
are Odoo's, and the line keeps BigCommerce's tax amount (what the customer
paid) only when Odoo's own computation differs from it by no more than
rounding can explain. Anything larger is a different rate, or a tax missing
or too many, and must go to review with both figures; a looser tolerance
hides a misconfigured rate whose error is small per unit but grows with the
quantity (8.25 % configured as 8 % on 10 units of 4.00 is 0.10).

The derivation, in units of the currency's smallest amount (a cent), for a
line of quantity ``q`` taxed by ``k`` taxes of rates ``r_1 .. r_k`` whose sum
``R`` is under 100 %, ``p`` the unit price and ``T_j = q * p * r_j`` the
exact tax of rate ``j``. Rounding to the nearest cent moves an amount by at
most half a cent (whichever way ties go).

- BigCommerce at worst rounds each rate's tax of ONE unit, then multiplies
  by the quantity (its line fields are ``price_tax`` per unit and
  ``total_tax = price_tax * q``; the sandbox's money model does exactly
  this, see ``bigcommerce_sandbox/seed/__init__.py``): each rate is off by
  at most ``q / 2``, the line by ``k * q / 2``. A tax-inclusive price has a
  single rounding per unit (the price without tax), ``q / 2``, less.
- Odoo ("round per line", its default) rounds each tax once on the line,
  after the line's base at most: each tax is off by at most
  ``1/2 + r_j / 2``, the line by ``k / 2 + R / 2`` ("round globally" rounds
  less).

So ``|Odoo - BigCommerce| <= k * (q + 1) / 2 + R / 2``. Both amounts are
whole cents, and ``R / 2 < 1 / 2``: the difference is at most
``floor(k * (q + 1) / 2)`` cents. The bound is reached: one 10 % tax on
10 units of 1.05 is 10 x 0.11 = 1.10 in BigCommerce and 1.05 in Odoo, 5
cents = floor(1 * 11 / 2); on 9 units, with BigCommerce breaking the tie
of 0.105 downwards, 9 x 0.10 = 0.90 against 0.95, 5 cents again.

``k`` is the number of taxes on the line. A BigCommerce line taxed by more
rates than the Odoo taxes that stand for them (one Odoo 8 % tax for a State
6 % and a City 2 % row) can differ by more and goes to review: configure
one Odoo tax per BigCommerce rate.
"""


def rounding_tolerance(quantity, tax_count, quantum):
    """The largest difference rounding can make between Odoo's tax and
    BigCommerce's on a line of ``quantity`` units taxed by ``tax_count``
    taxes, in the currency (``quantum``: its smallest amount, a Decimal)."""
    units = abs(int(quantity))
    return quantum * ((tax_count * (units + 1)) // 2)
