"""Brain-MRI demonstration model pipeline: synthetic data on real anatomy, training, ONNX export, evaluation."""

LABELS = ("glioma", "meningioma", "normal", "pituitary")

# Folder names used by the public datasets, mapped to our labels (output order above).
FOLDER_TO_LABEL = {
    "glioma": "glioma",
    "glioma_tumor": "glioma",
    "meningioma": "meningioma",
    "meningioma_tumor": "meningioma",
    "normal": "normal",
    "notumor": "normal",
    "no_tumor": "normal",
    "pituitary": "pituitary",
    "pituitary_tumor": "pituitary",
}

# What the generator writes (the Kaggle layout), per label.
LABEL_TO_FOLDER = {"glioma": "glioma", "meningioma": "meningioma", "normal": "notumor", "pituitary": "pituitary"}

NOTICE = (
    "Demonstration model trained on synthetic lesions drawn over a few public brain volumes (Colin27, a JHU atlas, two "
    "diffusion/functional EPI scans, two real T1 heads from npm) in randomised contrasts. Never saw a real tumour. "
    "Not a medical device; not for diagnosis or any clinical decision."
)
