/* Capitalised words of an ASCII text that name something: newswatch.analysis.regions._capitals.
 *
 * `hits(marked, low, names)` gives what this pure-Python loop gives (matcher.py, `_ascii_hits`):
 *
 *     for word in re.finditer(rb"\x01(?<![0-9A-Za-z\x01].)[0-9A-Za-z\x01]*", marked):
 *         start, end = word.span()
 *         entry = names.get(low[start:end])
 *         if entry is not None:
 *             out.append((start, end, entry))
 *
 * `marked` is the text's ASCII bytes with every capital that can start a name replaced by the
 * byte 0x01; `low` is the lower-cased text (same length); `names` maps folded names to entries.
 * A word starts at a marker not preceded by a letter, digit or marker, and runs over letters,
 * digits and markers. About two capitalised words in three name nothing: here they cost a
 * substring and a dict probe each, with no match object and no Python-level loop.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define MARK 0x01

static int in_word(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == MARK;
}

static PyObject *hits(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "hits(marked, low, names) takes 3 arguments");
        return NULL;
    }
    PyObject *marked = args[0], *low = args[1], *names = args[2];
    if (!PyBytes_Check(marked) || !PyUnicode_Check(low) || !PyDict_Check(names)) {
        PyErr_SetString(PyExc_TypeError, "hits(marked: bytes, low: str, names: dict)");
        return NULL;
    }
    const unsigned char *p = (const unsigned char *)PyBytes_AS_STRING(marked);
    Py_ssize_t n = PyBytes_GET_SIZE(marked);
    if (PyUnicode_GET_LENGTH(low) != n) {
        PyErr_SetString(PyExc_ValueError, "marked and low must have the same length");
        return NULL;
    }
    PyObject *out = PyList_New(0);
    if (out == NULL) return NULL;
    const unsigned char *at = p, *stop = p + n;
    while ((at = memchr(at, MARK, (size_t)(stop - at))) != NULL) {
        Py_ssize_t start = at - p;
        if (start > 0 && in_word(p[start - 1])) {
            at++;  /* inside a word: not a start */
            continue;
        }
        Py_ssize_t end = start + 1;
        while (end < n && in_word(p[end])) end++;
        at = p + end;
        PyObject *key = PyUnicode_Substring(low, start, end);
        if (key == NULL) goto fail;
        PyObject *entry = PyDict_GetItemWithError(names, key); /* borrowed */
        Py_DECREF(key);
        if (entry == NULL) {
            if (PyErr_Occurred()) goto fail;
            if (at >= stop) break;
            continue;
        }
        PyObject *hit = Py_BuildValue("(nnO)", start, end, entry);
        if (hit == NULL) goto fail;
        int failed = PyList_Append(out, hit);
        Py_DECREF(hit);
        if (failed) goto fail;
        if (at >= stop) break;
    }
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

static PyMethodDef methods[] = {
    {"hits", (PyCFunction)(void (*)(void))hits, METH_FASTCALL,
     "hits(marked, low, names) -> list[(start, end, entry)]: the capitalised words of an ASCII text\n"
     "that `names` knows (see the module source and regions/matcher.py)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_capitals", "Capitalised words that name something (see regions/matcher.py).", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__capitals(void) { return PyModule_Create(&module); }
