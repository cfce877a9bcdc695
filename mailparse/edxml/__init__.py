"""edXML packages (QCVN 102:2016): the envelope of a document, the files a package carries,
a receiving system's status answer, and finding their elements by local name."""
