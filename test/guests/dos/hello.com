º´	Í!¸*LÍ!Hello from DOS on MVM
$