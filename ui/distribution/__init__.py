"""Relief hand-outs: the distribution dialog."""
