from .cycle_b import LOOP
