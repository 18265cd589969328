"""Scale benchmark (issue 8): the portal on a ten-year dataset, run by bench/run.

    bench/run [--keepdb] [--duration 10] [--threads 20] [--registrations 320] [--no-newsletter]

1. Two databases of its own on the test servers: bench_portal_small (bench.dataset
   --years 10 --seed 0 --scale 0.05) and bench_portal (the same at full scale).
2. SQL queries of each public page through the test client, on both: equal = PASS.
3. gunicorn (3 workers, bench.settings: DEBUG off, the portal's URLs and middleware plus
   a trivial view and the layout alone) under wrk (load.py): requests/s and p95 of each
   public page. Cold (page cache off): each page in five slices, each right after a slice
   of the trivial view and one of the layout alone, the two references of the same
   minutes. Warm (page cache on, after one request, a Celery worker running): each page
   alternating with the trivial view.
   Then, still warm (writes.py): the action page and the home page just after a
   registration through the form, and just after an edit of the action; a mixed load of
   95 % reads and 5 % writes through the three public forms beside the trivial view.
4. Admin change lists, median of 5, beside the admin home page.
5. A registration burst through the registration service beside plain inserts.
6. bench/newsletter.py and bench/report.py when present, as subprocesses.

Every figure is printed with its reference and target, the section "Scale (bench/run)"
of bench/RESULTS.md is rewritten, and the exit status is 0 only if every line passes.
"""
