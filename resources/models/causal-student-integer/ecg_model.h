/* resources/models/causal-student, integer-only (int8 activations and weights, int32 accumulators): written by ecg-review compress --integer. */
#ifndef ECG_MODEL_H
#define ECG_MODEL_H
#include <stdint.h>

#define ECG_MODEL_WINDOW 102     /* [51][2] values, time-major */
#define ECG_MODEL_FEATURES 11
#define ECG_MODEL_CLASSES 4                    /* N, S, V, F */
#define ECG_MODEL_Q15 32768

/* The only floating-point step: the encoder's float inputs to int8 (round half up, clamp to [-128, 127]). */
void ecg_model_quantize(const float *window, const float *features, int8_t *window_q, int8_t *features_q);
/* One beat: class probabilities in Q15 (out of ECG_MODEL_Q15). */
void ecg_model_run(const int8_t *window_q, const int8_t *features_q, int32_t probs_q15[ECG_MODEL_CLASSES]);
/* The class index: argmax of p · e^(decision offset) in integers (no morphology consensus). */
int ecg_model_decide(const int32_t probs_q15[ECG_MODEL_CLASSES]);

#endif
