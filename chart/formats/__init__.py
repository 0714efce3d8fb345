"""Chart file formats: .sm, .ssc, osu!mania .osu and the JSON game export (read and write).

Use :mod:`chart.formats.registry` (``load``, ``save``, ``formats``, ``unrepresentable``). Readers raise only
:class:`chart.formats.errors.ParseError`; writers refuse (``WriteError``) rather than move a note.

Why our own StepMania reader instead of the ``simfile`` package: we need our own model (exact ``Fraction``
beats and timing, split timing, reports of what StepMania drops) rather than a second object model to convert
from; byte-exact canonical writes in our tag order; the raw text of every tag we do not interpret, kept in file
order; line numbers in one-line errors; and, under fuzzing, a hard input-size limit and no exception type but
``ParseError``. The tokenizer (:mod:`chart.formats.msd`) is about 150 lines, so owning it costs little.
"""
