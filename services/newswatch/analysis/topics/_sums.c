/* The topic model's per-article sums in one pass over the text: newswatch.analysis.topics._sums.
 *
 * What it computes is defined by the pure-Python path in table.py (`FeatureTable`, `tf_rows`,
 * `column_sums`):
 * for the distinct known words r of an article, each seen c(r) times, with tf(c) = 1 + log(c),
 *
 *   out[0]               = sum_r tf(c(r))^2 * M[r][0]               (squared TF-IDF norm)
 *   out[1 .. k]          = sum_r tf(c(r))   * M[r][1 .. k]          (LR logits, before the norm)
 *   out[k+1 .. 2k]       = sum_r c(r)       * M[r][k+1 .. 2k]       (naive Bayes)
 *   out[2k+1 .. cols-1]  = sum_r              M[r][2k+1 .. cols-1]  (distinct lexicon words per topic)
 *
 * Words are maximal runs of bytes in [0-9a-z] or >= 0x80 (as `bytes.translate(_TABLE).split()` in
 * tokens.py makes them); title words are looked up with the title prefix. Distinct words are summed
 * in the order they first occur. Python does the lower-casing and the simile blanking before.
 *
 * Why C: tokenising, counting and looking up about 330 words costs about 50 us in Python objects (a
 * bytes object, a hash and a dict probe per word, a Counter, two numpy arrays); here it is a few
 * microseconds, and the 3 MB weight matrix (the table's own numpy array, not a copy) is read one row per
 * distinct word.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    uint64_t hash;
    uint32_t offset; /* into keys */
    uint32_t length;
    uint32_t row;    /* 0: empty slot (row 0 is the all-zero "unknown" row, never stored) */
} Slot;

typedef struct {
    PyObject_HEAD
    Slot *slots;
    uint64_t mask;
    char *keys;
    double *matrix; /* rows * cols, row-major: matrix_view's memory */
    Py_ssize_t rows;
    Py_ssize_t cols;
    Py_ssize_t classes;
    double *tf;     /* tf[c] for c < n_tf: tf_view's memory */
    Py_ssize_t n_tf;
    Py_buffer matrix_view; /* held, not copied: the caller's array stays alive and unresized */
    Py_buffer tf_view;
    char *prefix;
    Py_ssize_t prefix_len;
} Sums;

static uint64_t hash_bytes(uint64_t h, const unsigned char *p, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

#define HASH_SEED 0xcbf29ce484222325ULL

static uint32_t lookup(const Sums *s, uint64_t h, const char *prefix, Py_ssize_t plen,
                       const unsigned char *word, Py_ssize_t n) {
    uint64_t i = h & s->mask;
    for (;;) {
        const Slot *slot = &s->slots[i];
        if (slot->row == 0) return 0;
        if (slot->hash == h && slot->length == (uint64_t)(plen + n)) {
            const char *key = s->keys + slot->offset;
            if (memcmp(key, prefix, plen) == 0 && memcmp(key + plen, word, n) == 0) return slot->row;
        }
        i = (i + 1) & s->mask;
    }
}

static int is_word_byte(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c >= 0x80;
}

/* Distinct rows in first-occurrence order with their counts; a small open-addressing set per call. */
typedef struct {
    uint32_t *rows;
    uint32_t *counts;
    Py_ssize_t n;
    uint32_t *table; /* index + 1 into rows, 0 empty */
    uint64_t mask;
} Tally;

static void tally_add(Tally *t, uint32_t row) {
    uint64_t i = ((uint64_t)row * 0x9e3779b97f4a7c15ULL >> 20) & t->mask;
    for (;;) {
        uint32_t at = t->table[i];
        if (at == 0) {
            t->rows[t->n] = row;
            t->counts[t->n] = 1;
            t->n++;
            t->table[i] = (uint32_t)t->n;
            return;
        }
        if (t->rows[at - 1] == row) {
            t->counts[at - 1]++;
            return;
        }
        i = (i + 1) & t->mask;
    }
}

static void scan(const Sums *s, Tally *t, const unsigned char *p, Py_ssize_t n, int titled) {
    const char *prefix = titled ? s->prefix : "";
    Py_ssize_t plen = titled ? s->prefix_len : 0;
    uint64_t seed = titled ? hash_bytes(HASH_SEED, (const unsigned char *)prefix, plen) : HASH_SEED;
    Py_ssize_t i = 0;
    while (i < n) {
        while (i < n && !is_word_byte(p[i])) i++;
        if (i >= n) break;
        Py_ssize_t start = i;
        uint64_t h = seed;
        while (i < n && is_word_byte(p[i])) {
            h ^= p[i];
            h *= 0x100000001b3ULL;
            i++;
        }
        uint32_t row = lookup(s, h, prefix, plen, p + start, i - start);
        if (row) tally_add(t, row);
    }
}

static double tf_of(const Sums *s, uint32_t c) {
    return (Py_ssize_t)c < s->n_tf ? s->tf[c] : 1.0 + log((double)c);
}

static PyObject *Sums_call(PyObject *self_obj, PyObject *args, PyObject *kwargs) {
    Sums *s = (Sums *)self_obj;
    Py_buffer body, title;
    PyObject *title_obj = Py_None;
    static char *kwlist[] = {"body", "title", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "y*|O:sums", kwlist, &body, &title_obj)) return NULL;
    title.buf = NULL;
    title.len = 0;
    if (title_obj != Py_None && PyObject_GetBuffer(title_obj, &title, PyBUF_SIMPLE) < 0) {
        PyBuffer_Release(&body);
        return NULL;
    }
    /* At most one word per two bytes, plus one. */
    Py_ssize_t most = (body.len + title.len) / 2 + 2;
    uint64_t size = 16;
    while (size < (uint64_t)most * 2) size <<= 1;
    uint32_t *mem = PyMem_Calloc((size_t)(2 * most + size), sizeof(uint32_t));
    double *out = PyMem_Calloc((size_t)s->cols, sizeof(double));
    PyObject *result = NULL;
    if (mem == NULL || out == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Tally t = {mem, mem + most, 0, mem + 2 * most, size - 1};
    scan(s, &t, body.buf, body.len, 0);
    if (title.buf != NULL) scan(s, &t, title.buf, title.len, 1);

    Py_ssize_t k = s->classes, cols = s->cols;
    for (Py_ssize_t j = 0; j < t.n; j++) {
        const double *m = s->matrix + (Py_ssize_t)t.rows[j] * cols;
        uint32_t c = t.counts[j];
        double tf = tf_of(s, c), count = (double)c;
        out[0] += tf * tf * m[0];
        for (Py_ssize_t x = 1; x <= k; x++) out[x] += tf * m[x];
        for (Py_ssize_t x = k + 1; x <= 2 * k; x++) out[x] += count * m[x];
        for (Py_ssize_t x = 2 * k + 1; x < cols; x++) out[x] += m[x];
    }
    result = PyList_New(cols);
    if (result == NULL) goto done;
    for (Py_ssize_t x = 0; x < cols; x++) {
        PyObject *v = PyFloat_FromDouble(out[x]);
        if (v == NULL) {
            Py_CLEAR(result);
            goto done;
        }
        PyList_SET_ITEM(result, x, v);
    }
done:
    PyMem_Free(mem);
    PyMem_Free(out);
    PyBuffer_Release(&body);
    if (title.buf != NULL) PyBuffer_Release(&title);
    return result;
}

/* Holds a view of a C-contiguous float64 buffer of `expected` items (any count if < 0). */
static int hold_doubles(PyObject *obj, Py_ssize_t expected, Py_buffer *view, double **dest, Py_ssize_t *count) {
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return -1;
    int ok = view->itemsize == sizeof(double) && view->format != NULL && strcmp(view->format, "d") == 0;
    Py_ssize_t n = view->len / (Py_ssize_t)sizeof(double);
    if (!ok || (expected >= 0 && n != expected)) {
        PyBuffer_Release(view);
        PyErr_SetString(PyExc_ValueError, "expected a C-contiguous float64 buffer of the right size");
        return -1;
    }
    *dest = (double *)view->buf;
    *count = n;
    return 0;
}

static int Sums_init(PyObject *self_obj, PyObject *args, PyObject *kwargs) {
    Sums *s = (Sums *)self_obj;
    PyObject *index, *matrix, *tf;
    Py_ssize_t rows, cols, classes;
    const char *prefix;
    Py_ssize_t prefix_len;
    static char *kwlist[] = {"index", "matrix", "rows", "cols", "classes", "tf", "prefix", NULL};
    if (s->matrix != NULL || s->tf != NULL || s->slots != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Sums is already initialised");
        return -1;
    }
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!OnnnOy#:Sums", kwlist, &PyDict_Type, &index, &matrix,
                                     &rows, &cols, &classes, &tf, &prefix, &prefix_len))
        return -1;
    if (rows < 1 || rows > UINT32_MAX || classes < 0 || cols < 1 + 2 * classes) {
        PyErr_SetString(PyExc_ValueError, "inconsistent table shape");
        return -1;
    }
    Py_ssize_t n_matrix;
    if (hold_doubles(matrix, rows * cols, &s->matrix_view, &s->matrix, &n_matrix) < 0) return -1;
    if (hold_doubles(tf, -1, &s->tf_view, &s->tf, &s->n_tf) < 0) return -1;
    s->rows = rows;
    s->cols = cols;
    s->classes = classes;
    s->prefix = PyMem_Malloc((size_t)prefix_len + 1);
    if (s->prefix == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    memcpy(s->prefix, prefix, (size_t)prefix_len + 1);
    s->prefix_len = prefix_len;

    Py_ssize_t n = PyDict_Size(index), total = 0, pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(index, &pos, &key, &value)) {
        if (!PyBytes_Check(key)) {
            PyErr_SetString(PyExc_TypeError, "index keys must be bytes");
            return -1;
        }
        total += PyBytes_GET_SIZE(key);
    }
    if (total > UINT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "index too large");
        return -1;
    }
    uint64_t size = 16;
    while (size < (uint64_t)n * 3) size <<= 1;
    s->slots = PyMem_Calloc((size_t)size, sizeof(Slot));
    s->keys = PyMem_Malloc((size_t)(total ? total : 1));
    if (s->slots == NULL || s->keys == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    s->mask = size - 1;
    uint32_t offset = 0;
    pos = 0;
    while (PyDict_Next(index, &pos, &key, &value)) {
        Py_ssize_t row = PyLong_AsSsize_t(value);
        if (row == -1 && PyErr_Occurred()) return -1;
        if (row < 1 || row >= rows) {
            PyErr_SetString(PyExc_ValueError, "index row out of range (row 0 is reserved for unknown words)");
            return -1;
        }
        const unsigned char *p = (const unsigned char *)PyBytes_AS_STRING(key);
        Py_ssize_t len = PyBytes_GET_SIZE(key);
        uint64_t h = hash_bytes(HASH_SEED, p, len);
        uint64_t i = h & s->mask;
        while (s->slots[i].row != 0) i = (i + 1) & s->mask;
        memcpy(s->keys + offset, p, (size_t)len);
        s->slots[i] = (Slot){h, offset, (uint32_t)len, (uint32_t)row};
        offset += (uint32_t)len;
    }
    return 0;
}

static void Sums_dealloc(PyObject *self_obj) {
    Sums *s = (Sums *)self_obj;
    PyMem_Free(s->slots);
    PyMem_Free(s->keys);
    if (s->matrix_view.obj != NULL) PyBuffer_Release(&s->matrix_view);
    if (s->tf_view.obj != NULL) PyBuffer_Release(&s->tf_view);
    PyMem_Free(s->prefix);
    Py_TYPE(self_obj)->tp_free(self_obj);
}

PyDoc_STRVAR(Sums_doc,
             "Sums(index, matrix, rows, cols, classes, tf, prefix)(body, title=None) -> list[float]\n\n"
             "index: word (bytes) -> matrix row (>= 1); matrix: rows x cols float64, C order;\n"
             "tf: tf[c] for a word seen c times; prefix: what title words are looked up with.\n"
             "Calling it with the lower-cased, simile-blanked body and title bytes gives the\n"
             "cols sums described in the module source (classifier.py has the pure equivalent).");

static PyTypeObject SumsType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "newswatch.analysis.topics._sums.Sums",
    .tp_basicsize = sizeof(Sums),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = Sums_doc,
    .tp_new = PyType_GenericNew,
    .tp_init = Sums_init,
    .tp_dealloc = Sums_dealloc,
    .tp_call = Sums_call,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_sums", "The topic model's per-article sums in C (see table.py).", -1, NULL,
};

PyMODINIT_FUNC PyInit__sums(void) {
    if (PyType_Ready(&SumsType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    Py_INCREF(&SumsType);
    if (PyModule_AddObject(m, "Sums", (PyObject *)&SumsType) < 0) {
        Py_DECREF(&SumsType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
