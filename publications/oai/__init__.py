"""OAI-PMH 2.0 data provider for the publications catalogue (Dublin Core).

``protocol`` holds the rules (verbs, arguments, dates, resumption tokens, errors),
``records`` what is exposed (published publications, sets, the oai_dc mapping),
``writer`` the XML output, ``verbs`` one function per verb and ``views`` the endpoint.
"""
