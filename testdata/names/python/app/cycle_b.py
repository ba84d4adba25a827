from .cycle_a import LOOP
